BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Disable-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            New-MSCommerceTestSubscription -Id $PathParameter.subscriptionId -Status 'Disabled'
        }
    }

    It 'Should send the reason and the comment to cancel, without a confirmation field' {
        $cancelled = Disable-MSCommerceSubscription -SubscriptionId 's1' -Reason Other -Comment 'Bought twice' -Confirm:$false
        $cancelled.Status | Should -Be 'Disabled'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/subscriptions/{subscriptionId}/cancel' -and $PathParameter.subscriptionId -eq 's1' -and
            $Body.reason -eq 'Other' -and $Body.comment -eq 'Bought twice' -and -not $Body.ContainsKey('confirm')
        }
    }

    It 'Should cancel piped subscriptions as read (If-Match), and nothing with -WhatIf' {
        $listed = @([pscustomobject]@{ SubscriptionId = 's1'; ETag = '"3"' }, [pscustomobject]@{ SubscriptionId = 's2'; ETag = '"8"' })
        $listed | Disable-MSCommerceSubscription -Reason NoLongerNeeded -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        @($listed | Disable-MSCommerceSubscription -Reason NoLongerNeeded -Confirm:$false).Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.subscriptionId -eq 's2' -and $IfMatch -eq '"8"' }
    }

    It 'Should refuse a reason outside the list before any call' {
        { Disable-MSCommerceSubscription -SubscriptionId 's1' -Reason 'Whim' -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should have ConfirmImpact High' {
        $binding = (Get-Command -Name 'Disable-MSCommerceSubscription' -Module 'MSCommerce').ScriptBlock.Attributes |
            Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.ConfirmImpact | Should -Be 'High'
    }
}
