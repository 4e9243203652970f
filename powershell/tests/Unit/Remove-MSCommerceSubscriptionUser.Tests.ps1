BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Remove-MSCommerceSubscriptionUser' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            New-MSCommerceTestSubscription -Id $PathParameter.subscriptionId
        }
    }

    It 'Should send the users to unassignUsers and return the subscription' {
        $result = Remove-MSCommerceSubscriptionUser -SubscriptionId 's1' -UserId 'u1', 'u2' -Confirm:$false
        $result.PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
        $result.SubscriptionId | Should -Be 's1'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/subscriptions/{subscriptionId}/unassignUsers' -and
            $PathParameter.subscriptionId -eq 's1' -and (@($Body.userIds) -join ',') -eq 'u1,u2' -and $TargetObject -eq 's1'
        }
    }

    It 'Should send the ETag as If-Match, and none without one' {
        $null = Remove-MSCommerceSubscriptionUser -SubscriptionId 's1' -UserId 'u1' -ETag '"4"' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $IfMatch -eq '"4"' }
        $null = Remove-MSCommerceSubscriptionUser -SubscriptionId 's1' -UserId 'u1' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { [string]::IsNullOrEmpty($IfMatch) }
    }

    It 'Should bind UserId and SubscriptionId from piped objects, one call each' {
        $users = @([pscustomobject]@{ UserId = 'u1'; SubscriptionId = 's1' }, [pscustomobject]@{ UserId = 'u2'; SubscriptionId = 's1' })
        $null = $users | Remove-MSCommerceSubscriptionUser -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { (@($Body.userIds) -join ',') -eq 'u2' }
    }

    It 'Should send nothing with -WhatIf' {
        Remove-MSCommerceSubscriptionUser -SubscriptionId 's1' -UserId 'u1' -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should refuse more than 20 users before any call' {
        { Remove-MSCommerceSubscriptionUser -SubscriptionId 's1' -UserId (1..21 | ForEach-Object -Process { "u$_" }) -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report a refusal as a non-terminating error with the service''s errorCode and go on' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.subscriptionId -eq 'bad' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'NotEnoughLicenses' -Category 'InvalidOperation' -TargetObject 'bad')
        }
        $rows = @([pscustomobject]@{ SubscriptionId = 'bad'; UserId = 'u1' }, [pscustomobject]@{ SubscriptionId = 's2'; UserId = 'u1' })
        $result = @($rows | Remove-MSCommerceSubscriptionUser -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'NotEnoughLicenses*'
    }

    It 'Should have ConfirmImpact High' {
        $binding = (Get-Command -Name 'Remove-MSCommerceSubscriptionUser' -Module 'MSCommerce').ScriptBlock.Attributes |
            Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.ConfirmImpact | Should -Be 'High'
    }
}
