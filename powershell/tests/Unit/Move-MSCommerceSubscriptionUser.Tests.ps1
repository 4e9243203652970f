BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Move-MSCommerceSubscriptionUser' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                status     = 'Move completed'
                movedUsers = 3
                source     = [pscustomobject]@{ id = 's1'; status = 'Deleted' }
                target     = [pscustomobject]@{ id = 't1'; assignedCount = 3 }
            }
        }
    }

    It 'Should take over each piped subscription into the target' {
        $result = [pscustomobject]@{ SubscriptionId = 's1' } | Move-MSCommerceSubscriptionUser -TargetSubscriptionId 't1' -Confirm:$false
        $result.MovedUsers | Should -Be 3
        $result.SourceStatus | Should -Be 'Deleted'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers' -and
            $PathParameter.subscriptionId -eq 's1' -and $Body.targetSubscriptionId -eq 't1'
        }
    }

    It 'Should make no call with -WhatIf' {
        Move-MSCommerceSubscriptionUser -SubscriptionId 's1' -TargetSubscriptionId 't1' -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0
    }

    It 'Should be High impact' {
        (Get-Command -Name 'Move-MSCommerceSubscriptionUser').ScriptBlock.Attributes |
            Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] } |
            ForEach-Object -Process { $_.ConfirmImpact } | Should -Be 'High'
    }
}
