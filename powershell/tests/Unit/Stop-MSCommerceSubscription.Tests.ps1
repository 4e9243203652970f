BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Stop-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { New-MSCommerceTestSubscription }
    }

    It 'Should send the reason, the comment and the confirmation only after ShouldProcess' {
        $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason SecurityOrCompliance -Comment 'Unapproved' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/subscriptions/{subscriptionId}/takeOver/cancel' -and $Body.reason -eq 'SecurityOrCompliance' -and
            $Body.comment -eq 'Unapproved' -and $Body.confirm -eq $true
        }
    }

    It 'Should make no call with -WhatIf' {
        Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason NoLongerNeeded -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0
    }

    It 'Should refuse a reason outside the list before any call' {
        { Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason 'Whim' -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0
    }
}
